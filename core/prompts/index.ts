export * from './encodePrompts';
