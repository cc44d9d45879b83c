import { z } from '@hono/zod-openapi';

// Response shapes every route shares in the OpenAPI document.

export const ErrorJson = z.object({ error: z.object({ code: z.string(), message: z.string() }).loose() }).openapi('Error');

export const json = <T extends z.ZodType>(schema: T, description: string) => ({ content: { 'application/json': { schema } }, description });

export const binary = (mediaType: string, description: string) => ({
  content: { [mediaType]: { schema: z.string().openapi({ format: 'binary' }) } },
  description,
});

export const errors = {
  400: json(ErrorJson, 'Invalid request'),
  401: json(ErrorJson, 'Missing or bad API key'),
  403: json(ErrorJson, 'Role not allowed'),
  404: json(ErrorJson, 'Not found or not visible to the caller'),
};

export const conflict = { 409: json(ErrorJson, 'Not allowed in the current state; the body says why') };
