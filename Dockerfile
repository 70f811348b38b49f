FROM python:3.11-slim
WORKDIR /opt/influx-gateway
COPY pyproject.toml README.md ./
COPY gateway ./gateway
COPY translators ./translators
RUN pip install --no-cache-dir . && useradd --system --home /var/lib/influx-gateway gateway \
    && mkdir -p /var/lib/influx-gateway && chown gateway /var/lib/influx-gateway
USER gateway
VOLUME /var/lib/influx-gateway
EXPOSE 8086
ENTRYPOINT ["influx-gateway", "serve", "--bind", "0.0.0.0:8086", "--data-dir", "/var/lib/influx-gateway"]
