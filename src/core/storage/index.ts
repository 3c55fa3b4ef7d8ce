export * from './kvs.js';
export * from './catalog.js';
export * from './heartbeat.js';
export * from './dbrows.js';
export * from './stats.js';
