// Entry point of the bundled action (dist/index.js): run and let the exit code be the gate.
import { run } from "./main.js";

void run();
