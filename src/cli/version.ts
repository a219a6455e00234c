// The tool identity printed in reports. A test keeps the version equal to package.json's.
export const TOOL = {
  name: "bulwark",
  version: "0.1.0",
  informationUri: "https://github.com/bulwark-dev/bulwark",
} as const;
