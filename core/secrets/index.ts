export { createSecretBox, keyId, loadSecretBox, parseKey, SecretError, type SecretBox } from './secret-box.js';
