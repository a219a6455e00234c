// maskCredentials: the file-derived prose of chat-ops replies (suppression reasons, fix
// descriptions, verification messages, update listings) never carries a known credential format.
import { describe, expect, it } from "vitest";
import { maskCredentials } from "../../src/github/chatops/run.js";

const GH_TOKEN = `ghp_${"Zq8Yw3Lr5Tn1Vb7Xc9Mk2Pd4Hf6Js0Ga1Bc2"}`;
const AWS_KEY = "AKIAQ3EGRZ7N4XK2PLMW";

describe("maskCredentials", () => {
  it("masks the password of a URL and withholds a token, leaving the rest of the text", () => {
    expect(maskCredentials("pulls from postgres://app:Sup3rS3cretPw@db:5432/app daily")).toBe("pulls from postgres://app:****@db:5432/app daily");
    expect(maskCredentials(`rotated ${GH_TOKEN}, and key=${AWS_KEY}.`)).toBe("rotated [credential withheld] and [credential withheld]");
  });

  it("leaves text without a credential alone", () => {
    const text = "Set privileged: false on container `api` (https://example.com/docs, user@example.com)";
    expect(maskCredentials(text)).toBe(text);
  });
});
