#!/usr/bin/env node
// A shim: everything lives in the compiled CLI module (built by `npm run build`).
import '../dist/src/cli.js';
