/** Injection token of the identity module's {@link IdentitySettings}. */
export const IDENTITY_SETTINGS = Symbol('identity.settings');
