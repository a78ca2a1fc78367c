/**
 * Performance monitors. Values are a pure function of the clock (a slow wave
 * plus a deterministic wobble), so they move over time without any timer: a
 * thousand idle simulators in one process cost nothing. `pin` fixes the
 * current value of one index (tests).
 */

interface PmDef {
  name: string;
  indexes: number[];
  lowThreshold: number;
  highThreshold: number;
  base: number;
  amp: number;
  periodS: number;
}

/** PM names as the SNMP interface spells them. */
const DEFS: PmDef[] = [
  { name: 'ActiveContextCount', indexes: [0], lowThreshold: 0, highThreshold: 1000, base: 40, amp: 25, periodS: 600 },
  { name: 'NetUtilKBytes', indexes: [0, 1], lowThreshold: 0, highThreshold: 100000, base: 2500, amp: 1500, periodS: 300 },
  { name: 'NetUtilPackets', indexes: [0, 1], lowThreshold: 100, highThreshold: 30000, base: 6000, amp: 4000, periodS: 420 },
  { name: 'IPGroupInCallsEstablished', indexes: [0, 1, 2], lowThreshold: 0, highThreshold: 500, base: 12, amp: 8, periodS: 900 },
  { name: 'IPGroupOutCallsEstablished', indexes: [0, 1, 2], lowThreshold: 0, highThreshold: 500, base: 10, amp: 7, periodS: 780 },
  { name: 'IPGroupActiveCalls', indexes: [0, 1, 2], lowThreshold: 0, highThreshold: 300, base: 20, amp: 15, periodS: 660 },
  { name: 'TrunkUtilization', indexes: [0, 1, 2, 3], lowThreshold: 0, highThreshold: 30, base: 10, amp: 8, periodS: 720 },
  { name: 'SBCRegisteredUsers', indexes: [0], lowThreshold: 0, highThreshold: 5000, base: 150, amp: 30, periodS: 1200 },
  { name: 'CpuUtilization', indexes: [0], lowThreshold: 0, highThreshold: 90, base: 35, amp: 20, periodS: 240 },
];

const BY_NAME = new Map(DEFS.map((d) => [d.name.toLowerCase(), d]));
export const PM_NAMES = DEFS.map((d) => d.name);
const INTERVAL_MS = 15 * 60 * 1000;
const SAMPLES = 16;

export interface PmValueBody {
  index: number;
  interval: number;
  value: number;
  min: number;
  max: number;
  average: number;
}

function wobble(step: number, index: number): number {
  const x = Math.sin(step * 12.9898 + index * 78.233) * 43758.5453;
  return (x - Math.floor(x)) * 2 - 1;
}

export class PmModel {
  private pins = new Map<string, number>();

  /** The definition for a name (case-insensitive: the document uses both NetUtilPackets and netUtilPackets). */
  find(name: string): PmDef | undefined {
    return BY_NAME.get(name.toLowerCase());
  }

  discovery(def: PmDef): { indexes: number[]; intervalsPerIndex: number[]; lowThreshold: number; highThreshold: number } {
    return { indexes: [...def.indexes], intervalsPerIndex: [0, 1, 2], lowThreshold: def.lowThreshold, highThreshold: def.highThreshold };
  }

  pin(name: string, index: number, value: number): void {
    const def = this.find(name);
    if (!def) throw new Error(`unknown PM "${name}"`);
    if (!def.indexes.includes(index)) throw new Error(`PM ${def.name} has no index ${index}`);
    if (!Number.isFinite(value)) throw new Error('value must be a finite number');
    this.pins.set(`${def.name}:${index}`, value);
  }

  clearPins(): void {
    this.pins.clear();
  }

  private sample(def: PmDef, index: number, t: number): number {
    const phase = index * 1.7 + def.name.length;
    const v =
      def.base * (1 + 0.15 * index) +
      def.amp * Math.sin((2 * Math.PI * t) / (def.periodS * 1000) + phase) +
      def.amp * 0.15 * wobble(Math.floor(t / 5000), index);
    return Math.max(0, Math.round(v));
  }

  private stats(def: PmDef, index: number, from: number, to: number): { min: number; max: number; average: number; values: number[] } {
    const values: number[] = [];
    const span = Math.max(1, to - from);
    for (let i = 0; i < SAMPLES; i++) values.push(this.sample(def, index, from + (span * i) / (SAMPLES - 1)));
    return this.summarise(values);
  }

  private summarise(values: number[]): { min: number; max: number; average: number; values: number[] } {
    const min = Math.min(...values);
    const max = Math.max(...values);
    const average = Math.round((values.reduce((a, b) => a + b, 0) / values.length) * 100) / 100;
    return { min, max, average, values };
  }

  /** interval 0: current value, min/max/average over the current 15 minutes so far; 1: last full 15 minutes; 2: the one before. */
  value(def: PmDef, index: number, interval: number, now = Date.now()): PmValueBody {
    const windowStart = Math.floor(now / INTERVAL_MS) * INTERVAL_MS;
    if (interval === 0) {
      const pinned = this.pins.get(`${def.name}:${index}`);
      const current = pinned ?? this.sample(def, index, now);
      const s = this.stats(def, index, windowStart, now);
      const all = this.summarise([...s.values, current]);
      return { index, interval, value: current, min: all.min, max: all.max, average: all.average };
    }
    const from = windowStart - interval * INTERVAL_MS;
    const s = this.stats(def, index, from, from + INTERVAL_MS);
    return { index, interval, value: s.average, min: s.min, max: s.max, average: s.average };
  }
}
