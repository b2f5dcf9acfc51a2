/** The shapes of members and roles as the API returns them: a contract module (docs/ARCHITECTURE.md, Layout). */

export type Role = 'owner' | 'admin' | 'viewer';

/** A member of a tenant's team. */
export interface Member {
  id: string;
  username: string;
  email: string;
  role: Role;
  displayName: string | null;
  telegramUserId: number | null;
  language: string | null;
  createdAt: string;
}
