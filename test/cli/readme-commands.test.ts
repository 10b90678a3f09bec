import fs from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { buildProgram } from '../../src/cli/program.js';

/** Issue 21 part 2: the README's CLI table lists every command the program registers. */
function leafCommands(cmd: Command, prefix = ''): string[] {
  return cmd.commands.flatMap((c) => {
    const name = `${prefix}${c.name()}`;
    return c.commands.length === 0 ? [name] : leafCommands(c, `${name} `);
  });
}

describe('README CLI table', () => {
  const readme = fs.readFileSync(path.resolve(import.meta.dirname, '../../README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## The `haven` CLI'));
  const table = section.slice(0, section.indexOf('\n## ', 1));
  // The first cell of each row: `user list` / `user disable ID` / …
  const listed = table
    .split('\n')
    .filter((l) => l.startsWith('| `'))
    .flatMap((l) => [...l.split(/(?<!\\)\|/)[1]!.matchAll(/`([^`]+)`/g)].map((m) => m[1]!));

  it.each(leafCommands(buildProgram()))('lists `%s`', (name) => {
    expect(listed.some((cell) => cell === name || cell.startsWith(`${name} `))).toBe(true);
  });
});
