export * from './encodePrompts';
export * from './parsePrompts';
