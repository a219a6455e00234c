#!/usr/bin/env node
// Entry point of the published CLI: runs the compiled TypeScript (lib/, built by `npm run build:lib`).
import { runCli } from "../lib/cli/main.js";

await runCli();
