export { Reader } from './reader.js';
export { Writer } from './writer.js';
export { uvarintSize, varintSize, varlongSize } from './sizes.js';
