export * from './protobufWire';
export * from './readOnnxModel';
export * from './writeOnnxModel';
export * from './onnxNode';
export * from './onnxValueInfo';
