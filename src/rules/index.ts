/** Reply rules: triggers (keyword, regex, command), scope, priority and cooldowns for auto-replies. */
export { listReplyRules, enabledReplyRulesSubquery, getReplyRule, createReplyRule, updateReplyRule, deleteReplyRule, claimCooldown, replyRuleInput, type ReplyRule, type ReplyRuleInput } from './reply-rules.js';
export { matchTrigger, regexTimeLimitMs, type MatchOutcome } from './matcher.js';
