/** A `.wgsl` file imported as its source text (tsup `loader: { '.wgsl': 'text' }`, the vitest `wgslText` plugin). */
declare module '*.wgsl' {
  const code: string;
  export default code;
}
