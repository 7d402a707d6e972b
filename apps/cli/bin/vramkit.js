#!/usr/bin/env node
// The `vramkit` command. It lives outside dist so that `npm install` in a fresh clone links it
// (npm links a workspace's bin only when the file exists); the bundled CLI is built into dist/bin.
import '../dist/bin/vramkit.js';
