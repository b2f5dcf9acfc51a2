/** The shapes of a group and its settings as the API returns them: a contract module (docs/ARCHITECTURE.md, Layout). */

export type BotMembership = 'member' | 'administrator' | 'restricted' | 'left' | 'kicked';

export type JoinRequestAction = 'approve' | 'decline' | 'leave_pending';

/** Per-group behaviour. Stored as JSON on the group; missing keys take the tenant's defaults. */
export interface GroupSettings {
  welcomeEnabled: boolean;
  welcomeTemplateId: string | null;
  inviteTemplateId: string | null;
  joinRequestAction: JoinRequestAction;
  autoReply: boolean;
  /** Local `HH:MM` times in the tenant's zone; planned posts wait until the window ends. */
  quietHours: { start: string; end: string } | null;
}

export interface Group {
  id: string;
  botId: string;
  chatId: number;
  type: 'group' | 'supergroup' | 'channel';
  title: string;
  username: string | null;
  memberCount: number | null;
  botStatus: BotMembership;
  botCanInvite: boolean;
  botCanDelete: boolean;
  enabled: boolean;
  pausedReason: string | null;
  settings: GroupSettings;
  addedAt: string;
  removedAt: string | null;
}
