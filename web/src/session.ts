import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import type { Feature, Me, Role } from './api/types';

export interface Session {
  me: Me;
  /** Reads /api/auth/me again (after a plan, language or Telegram link change). */
  refresh(): Promise<void>;
  signOut(): Promise<void>;
}

export const SessionContext = createContext<Session | undefined>(undefined);

/** The signed-in member; only screens behind the login use it. */
export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error('useSession outside a signed-in screen');
  return session;
}

const rank: Record<Role, number> = { viewer: 1, admin: 2, owner: 3 };

/** Whether the member's role reaches `needed` (the API enforces the same; this only hides what would fail). */
export function roleAllows(role: Role, needed: Role): boolean {
  return rank[role] >= rank[needed];
}

export function hasFeature(me: Me, feature: Feature): boolean {
  return me.plan.plan.features.includes(feature);
}
