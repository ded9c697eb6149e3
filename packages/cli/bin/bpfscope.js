#!/usr/bin/env node
// Kept as plain JavaScript outside dist/ so that the command exists as soon as the
// package is installed; the compiled entry does the work.
import { main } from '../dist/main.js';

process.exitCode = await main(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr });
