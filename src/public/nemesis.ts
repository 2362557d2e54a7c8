/**
 * `faultline/nemesis`: faults. A {@link Nemesis} breaks something on the nodes for an op and
 * undoes all of it in `heal`; the shipped families (partition, kill, pause, packet, clock,
 * file) are composed into one seeded schedule.
 */
// biome-ignore-all assist/source/organizeImports: exports are grouped by theme, each group under its comment

/** The nemesis shape and what it may act on. */
export type { Nemesis, NemesisContext, NemesisOutcome } from '../../nemeses/types.js';
/** A fault family described once: ops, heal, schedule part, needed capabilities, label and colours. */
export {
  type FamilyScheduleOptions,
  type FaultEffect,
  type NemesisFamily,
  primariesOf,
  type SchedulePart,
} from '../../nemeses/types.js';
/** The shipped families, in healing order. */
export { effectOfF, familyByName, NEMESIS_FAMILIES } from '../../nemeses/families.js';
export { clockFamily } from '../../nemeses/clock.js';
export { fileFamily } from '../../nemeses/file.js';
export { killFamily } from '../../nemeses/kill.js';
export { packetFamily } from '../../nemeses/packet.js';
export { partitionFamily } from '../../nemeses/partition.js';
export { pauseFamily } from '../../nemeses/pause.js';
/** Refusing a schedule the db cannot take, before it runs. */
export { checkCapabilities, requiredCapabilities } from '../../nemeses/combined.js';
/** The shipped fault families. */
export { clockNemesis } from '../../nemeses/clock.js';
export { fileNemesis } from '../../nemeses/file.js';
export { killNemesis } from '../../nemeses/kill.js';
export { packetNemesis } from '../../nemeses/packet.js';
export { partitionNemesis } from '../../nemeses/partition.js';
export { pauseNemesis } from '../../nemeses/pause.js';
/** Partition shapes (Jepsen's grudges) and fault targets. */
export { GRUDGE_KINDS, type GrudgeKind } from '../../nemeses/grudge.js';
export { TARGET_KINDS, type TargetKind } from '../../nemeses/targets.js';
/** The combined schedule of several families, as `--nemesis partition,kill` builds it. */
export {
  buildNemesisPlan,
  type CombinedOptions,
  FAMILIES,
  type Family,
  parseFamilies,
} from '../../nemeses/combined.js';
