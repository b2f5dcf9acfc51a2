/** A sandbox group as demo mode lists it: where a tenant may add its test bot (GET /api/demo/groups). */
export interface DemoGroup {
  chatId: number;
  title: string;
  type: 'group' | 'supergroup';
  /** First names of the simulated people present. */
  people: string[];
  /** The tenant's bots (Kovan ids) already in the group. */
  botIds: string[];
}

export interface DemoGroups {
  /** False outside demo mode (a real Telegram is configured): the screen then shows nothing. */
  available: boolean;
  groups: DemoGroup[];
}
