export * from './scram.js';
export * from './plain.js';
