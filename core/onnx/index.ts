export * from './protobufWire';
export * from './readOnnxModel';
export * from './writeOnnxModel';
export * from './onnxNode';
export * from './onnxValueInfo';
export * from './onnxTensor';
export * from './onnxAttributes';
export * from './quantizeDynamic';
