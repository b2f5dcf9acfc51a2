/** Auth: accounts, sessions, passwords, password reset and Telegram Mini App login. */
export { registerAccount, createOwner, assertLoginFree, logIn, describeMember, memberColumns, type Member, type SignedIn } from './accounts.js';
export { PasswordHasher, passwordProblem, assertPasswordAcceptable, passwordLength, type PasswordProblem } from './passwords.js';
export { resolveSession, createSession, revokeSession, revokeMemberSessions, sessionTokenPrefix, sessionAbsoluteTimeout, type Principal, type Role } from './sessions.js';
export { validateInitData, signInitData, type InitDataUser } from './telegram-init-data.js';
export { authRoutes, sessionCookie } from './routes.js';
