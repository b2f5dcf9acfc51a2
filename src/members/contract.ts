/** The shapes of the team and its invitations as the API returns them: a contract module (docs/ARCHITECTURE.md, Layout). */
import { z } from 'zod';
import { memberSchema, roles } from '../auth/contract.js';
import { instant } from '../platform/contract.js';

/** A member as the team list shows them: with their last login. */
export const teamMemberSchema = memberSchema.extend({ lastLoginAt: instant.nullable() }).meta({ id: 'TeamMember' });
export type TeamMember = z.output<typeof teamMemberSchema>;

export const invitationStatuses = ['pending', 'accepted', 'revoked', 'expired'] as const;
export type InvitationStatus = (typeof invitationStatuses)[number];

/** An invitation by e-mail (never its token: that is only in the e-mail). */
export const invitationSchema = z.object({
  id: z.uuid(),
  email: z.string(),
  role: z.enum(roles),
  status: z.enum(invitationStatuses),
  invitedBy: z.string().nullable(),
  expiresAt: instant,
  acceptedAt: instant.nullable(),
  acceptedMemberId: z.string().nullable(),
  createdAt: instant,
}).meta({ id: 'Invitation' });
export type Invitation = z.output<typeof invitationSchema>;
