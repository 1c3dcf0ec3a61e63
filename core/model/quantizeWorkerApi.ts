/** What the quantize worker (quantizeWorker.ts) answers: quantize one model file by a recipe's encoder or decoder options. */
export type QuantizeWorkerApi = {
  quantize: { args: { readonly file: string; readonly recipe: string; readonly role: 'encoder' | 'decoder' }; result: { readonly model: Uint8Array; readonly quantized: number } };
};
