export * from './procedures.js';
