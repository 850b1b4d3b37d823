import { describe, expect, it } from 'vitest';
import { parseChat, parseMessages } from './wire.js';

// The stub reports the images a request carried at the end of its prompt, so e2e tests can see them arrive.

describe('the stub reads images in the last user message', () => {
  it.each([
    ['OpenAI, a plain string', parseChat({ model: 'm', messages: [{ role: 'user', content: 'hi' }] }), 'hi'],
    ['OpenAI, parts', parseChat({ model: 'm', messages: [{ role: 'user', content: [
      { type: 'text', text: 'a ' }, { type: 'image_url', image_url: { url: 'data:image/png;base64,AAAA' } },
      { type: 'text', text: 'b' }, { type: 'image_url', image_url: { url: 'https://x.test/c.jpg' } },
    ] }] }), 'a b [images: 2 image/png,url]'],
    ['Anthropic, blocks', parseMessages({ model: 'm', max_tokens: 5, messages: [{ role: 'user', content: [
      { type: 'image', source: { type: 'base64', media_type: 'image/webp', data: 'AAAA' } }, { type: 'text', text: 'what?' },
      { type: 'image', source: { type: 'url', url: 'https://x.test/d.png' } },
    ] }] }), 'what? [images: 2 image/webp,url]'],
    ['OpenAI, video parts (vLLM)', parseChat({ model: 'm', messages: [{ role: 'user', content: [
      { type: 'text', text: 'v ' }, { type: 'video_url', video_url: { url: 'data:video/webm;base64,AAAA' } },
      { type: 'video_url', video_url: { url: 'https://x.test/a.mp4' } }, { type: 'image_url', image_url: { url: 'data:image/png;base64,AAAA' } },
    ] }] }), 'v  [images: 1 image/png] [videos: 2 video/webm,url]'],
    ['Anthropic, text blocks only', parseMessages({ model: 'm', max_tokens: 5, messages: [{ role: 'user', content: [{ type: 'text', text: 'plain' }] }] }), 'plain'],
  ])('%s', (_name, parsed, prompt) => {
    expect(typeof parsed === 'string' ? parsed : parsed.prompt).toBe(prompt);
  });
});
