export * from './identity.module.js';
export * from './config.js';
export * from './demo-users.js';
export * from './access-matrix.js';
export { identityCommands } from './cli/index.js';
export { UsersService, type UserView, type ImportReport, IMPORTED_USER_NAMESPACE } from './users/users.service.js';
export { SessionsService } from './sessions/sessions.service.js';
export { SigningKeyStore } from './sessions/signing-keys.js';
export { REFRESH_COOKIE } from './sessions/session.controller.js';
