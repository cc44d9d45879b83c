/** A response body as loosely typed JSON: tests assert its shape with expect(). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Json = any;
export const readJson = (res: Response): Promise<Json> => res.json();
