import type { Command } from 'commander';
import { withCommonOptions } from '../output.js';
import type { DemoFlags } from '../commands/demo.js';

/** `haven demo`: declared here; the seeding code loads when it runs. */
export function demoTree(program: Command): void {
  withCommonOptions(
    program
      .command('demo')
      .description(
        'seed a synthetic demo clinic (Synthea patients, one person per role) into a new installation',
      ),
  )
    .option(
      '--synthea <dir>',
      'Synthea R4 bundles (default HAVEN_SYNTHEA_DIR, or ../shared/data/synthea-r4)',
    )
    .option('--patients <n>', 'how many Synthea patients to import (default 6)')
    .action(async (flags: DemoFlags) => (await import('../commands/demo.js')).demo(flags));
}
