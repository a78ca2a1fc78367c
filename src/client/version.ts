/**
 * A device's firmware version, as /status's `versionID` names it
 * (`7.40A.600.203`, `7.20A.258.459`, `7.00A.018.005`): the one reading of it
 * for every choice the client makes by firmware.
 */

const VERSION = /^\s*([0-9]{1,3})\.([0-9]{1,3})/;

/**
 * Whether `versionID` is `min` (`7.2`, `7.4`) or later, comparing the major
 * number, then the minor one as decimals (`7.40` is 7.4, `7.20` is 7.2);
 * undefined where it cannot be read.
 */
export function versionAtLeast(versionID: unknown, min: string): boolean | undefined {
  const m = typeof versionID === 'string' ? VERSION.exec(versionID) : null;
  if (!m) return undefined;
  const [major, minor = '0'] = min.split('.');
  const a = Number(m[1]);
  const b = Number(major);
  if (a !== b) return a > b;
  return Number(`0.${m[2]}`) >= Number(`0.${minor}`);
}
