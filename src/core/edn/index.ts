export * from './types.js';
export { readEdn, readEdnAll } from './reader.js';
export { printEdn, printString, printDouble } from './printer.js';
