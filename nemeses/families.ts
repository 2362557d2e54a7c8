/**
 * Every fault family, in the order they are healed (network first, so that restarted nodes
 * can rejoin). To add one, write its file with a {@link NemesisFamily} and add it here: the
 * schedule, the capability checks, the perf checker and the report take it from this list.
 */

import { Registry } from '../src/registry.js';
import { clientPauseFamily } from './client-pause.js';
import { clockFamily } from './clock.js';
import { containerPauseFamily } from './container-pause.js';
import { fileFamily } from './file.js';
import { killFamily } from './kill.js';
import { membershipFamily } from './membership.js';
import { packetFamily } from './packet.js';
import { partitionFamily } from './partition.js';
import { pauseFamily } from './pause.js';
import { powerFamily } from './power.js';
import type { FaultEffect, NemesisFamily } from './types.js';

export const NEMESIS_FAMILIES = new Registry<NemesisFamily>(
  'nemesis',
  [
    packetFamily,
    partitionFamily,
    clockFamily,
    pauseFamily,
    containerPauseFamily,
    killFamily,
    fileFamily,
    powerFamily,
    membershipFamily,
    clientPauseFamily,
  ].map((f) => [f.name, f] as const),
);

/** The family called `name`, if any. */
export function familyByName(name: string): NemesisFamily | undefined {
  return NEMESIS_FAMILIES.find(name);
}

/** Which family an `f` belongs to, and what it does to that family's fault windows. */
export function effectOfF(f: string): { family: NemesisFamily; effect: FaultEffect } | undefined {
  for (const family of NEMESIS_FAMILIES.values()) {
    const effect = family.effects[f];
    if (effect) return { family, effect };
  }
  return undefined;
}

/** Each family's style, by name: what the report colours its fault windows with. */
export function familyStyles(): Record<string, NemesisFamily['style']> {
  return Object.fromEntries(NEMESIS_FAMILIES.values().map((f) => [f.name, f.style]));
}
