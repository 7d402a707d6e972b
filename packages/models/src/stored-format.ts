/**
 * The "as stored" weight format lives in `@vramkit/core` (`storedFormat`, `storedTensorBytes`), one
 * implementation for GGUF and safetensors headers; re-exported here because a loaded model is where
 * callers meet it.
 */
export { storedFormat, storedTensorBytes } from '@vramkit/core';
