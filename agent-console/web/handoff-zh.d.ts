// Lets TypeScript tests assert on the very texts a dispatcher reads; the module is plain browser JS.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export declare const H: Record<string, any>
