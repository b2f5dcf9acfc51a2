/** Audience: the people a tenant's bot has met, and whether it may write to them. */
export { recordSighting, markBlocked, openJoinRequestWindow, mayMessagePrivately, type TelegramPerson, type Sighting } from './audience.js';
