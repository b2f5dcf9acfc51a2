/** Members: the tenant's team (owner / admin / viewer), invitations by e-mail, role changes. */
export { listMembers, getMember, changeMemberRole, removeMember, type TeamMember } from './members.js';
export { inviteMember, listInvitations, getInvitation, revokeInvitation, acceptInvitation, invitationLifetime, type Invitation, type InvitationStatus } from './invitations.js';
