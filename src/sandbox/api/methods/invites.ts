import type { ChatInviteLink } from 'grammy/types';
import { unixTime } from '../../durations.js';
import { badRequest, TelegramErrors } from '../../errors.js';
import { generateInviteLink } from '../../ids.js';
import { groupChatView } from '../../views.js';
import { administeredGroup } from '../group-admin.js';
import type { MethodHandler } from '../method.js';

const manageLinks = 'manage chat invite link';
const maxLinkNameLength = 32;
const maxMemberLimit = 99_999;

export const createChatInviteLink: MethodHandler = (call): ChatInviteLink => {
  const { group, actor } = administeredGroup(call, 'can_invite_users', manageLinks);
  const name = call.params.string('name');
  const expireDate = call.params.int('expire_date', 0);
  const memberLimit = call.params.int('member_limit', 0);
  const createsJoinRequest = call.params.bool('creates_join_request');
  if (name !== undefined && name.length > maxLinkNameLength) throw badRequest('invite link name is too long');
  if (expireDate !== 0 && expireDate <= unixTime()) throw badRequest('EXPIRE_DATE_INVALID');
  if (memberLimit < 0 || memberLimit > maxMemberLimit) throw badRequest('USAGE_LIMIT_INVALID');
  if (createsJoinRequest && memberLimit !== 0) {
    throw badRequest("member_limit can't be specified for links requiring administrator approval");
  }
  const link: ChatInviteLink = {
    invite_link: generateInviteLink(),
    creator: actor,
    creates_join_request: createsJoinRequest,
    is_primary: false,
    is_revoked: false,
    ...(name === undefined ? {} : { name }),
    ...(expireDate === 0 ? {} : { expire_date: expireDate }),
    ...(memberLimit === 0 ? {} : { member_limit: memberLimit }),
  };
  group.inviteLinks.set(link.invite_link, { creatorId: call.bot.id, link, joinedCount: 0 });
  return link;
};

export const revokeChatInviteLink: MethodHandler = (call) => {
  const { group } = administeredGroup(call, 'can_invite_users', manageLinks);
  const record = group.inviteLinks.get(call.params.requiredString('invite_link'));
  if (!record) throw badRequest('INVITE_HASH_EXPIRED');
  record.link.is_revoked = true;
  return record.link;
};

/** Approve or decline: both end the request and close the bot's window to message the user. */
function handleJoinRequest(approve: boolean): MethodHandler {
  return (call) => {
    const administered = administeredGroup(call, 'can_invite_users', manageLinks);
    const { group } = administered;
    const userId = call.params.userId();
    const request = group.joinRequests.get(userId);
    if (!request) throw badRequest('HIDE_REQUESTER_MISSING');
    group.joinRequests.delete(userId);
    if (!approve) return true;
    const member = call.core.participant(userId);
    if (!member) throw TelegramErrors.userNotFound();
    const link = request.inviteLink === undefined ? undefined : group.inviteLinks.get(request.inviteLink);
    if (link) link.joinedCount += 1;
    call.core.changeMembership(group, userId, { status: 'member' }, administered.actor, {
      via_join_request: true,
      ...(link ? { invite_link: link.link } : {}),
    });
    call.core.postToGroup(group, { chat: groupChatView(group), from: member, new_chat_members: [member] }, 'service');
    return true;
  };
}

export const approveChatJoinRequest = handleJoinRequest(true);
export const declineChatJoinRequest = handleJoinRequest(false);
