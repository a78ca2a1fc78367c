/**
 * The simulated SBC's configured elements that more than one resource names:
 * IP groups and SRDs (KPI entities, test call destinations). An IP group
 * counts as down while an active alarm names it (or its proxy set or trunk),
 * so a test call to it fails until the alarm clears.
 */

export interface IpGroup {
  id: string;
  name: string;
  description: string;
  /** Share of the device's traffic (KPI values); 0 = idle. */
  share: number;
  /** Alarm sources that take this IP group down. */
  alarmSources: readonly string[];
}

export const IP_GROUPS: readonly IpGroup[] = [
  { id: '0', name: 'Teams', description: 'Microsoft Teams Direct Routing', share: 0.45, alarmSources: ['IPGroup#0'] },
  { id: '1', name: 'PSTN Trunk', description: 'SIP trunk to the carrier', share: 0.35, alarmSources: ['IPGroup#1', 'ProxySet#1', 'Trunk#1'] },
  { id: '2', name: 'PBX', description: 'On-premises IP-PBX', share: 0.2, alarmSources: ['IPGroup#2'] },
  { id: '3', name: 'Lab', description: 'Test lab (idle)', share: 0, alarmSources: ['IPGroup#3'] },
];

export const SRDS: ReadonlyArray<{ id: string; name: string; description: string; share: number }> = [
  { id: '0', name: 'DefaultSRD', description: 'Default SRD', share: 0.55 },
  { id: '1', name: 'Teams SRD', description: 'SRD for Microsoft Teams', share: 0.45 },
];

/** The IP group named by its index or (case-insensitive) name. */
export function findIpGroup(key: string): IpGroup | undefined {
  const k = key.trim().toLowerCase();
  return IP_GROUPS.find((g) => g.id === k || g.name.toLowerCase() === k);
}
