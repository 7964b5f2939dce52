// Lets TypeScript tests assert on the very texts an agent reads; the module is plain browser JS.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export declare const T: Record<string, any>
