// Records the URL of every module a process resolves, one a line, into the file named by
// HAVEN_MODULE_LOG (test/cli/startup.test.ts runs `node --import` this file before the CLI).
import { register } from 'node:module';
import process from 'node:process';

register('./module-log-hooks.mjs', import.meta.url, { data: process.env.HAVEN_MODULE_LOG });
