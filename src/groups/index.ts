/** Groups: the chats a tenant's bots serve, their settings, and the plan's group limit. */
export { listGroups, getGroup, findGroupByChat, groupByChatSubquery, groupFromRow, recordBotMembership, recordTryItGroup, enforceGroupLimit, migrateGroup, updateGroupFacts, adjustMemberCount, updateGroup, type Group, type BotMembership, type ChatSeen } from './groups.js';
export { groupSettingsSchema, effectiveSettings, type GroupSettings } from './settings.js';

