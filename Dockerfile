# One image for every role: `listclean serve`, `listclean worker`, `listclean clean …`.
FROM node:24-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund
COPY bin ./bin
COPY src ./src
COPY workers ./workers
COPY examples ./examples
USER node
ENTRYPOINT ["node", "bin/listclean.mjs"]
CMD ["--help"]
