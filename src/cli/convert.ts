// PLACEHOLDER: the codecs helper replaces this file.
import type { Command } from 'commander';

export function registerConvert(_program: Command): void {}
