export * from './duration.js';
export * from './rules.js';
export * from './policies.js';
export * from './channels.js';
export * from './silences.js';
