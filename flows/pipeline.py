"""The flow's historical import path: deployments record `flows.pipeline:news_pipeline` as their
entry point, so it stays importable. The flow lives in flows/orchestration/."""

from flows.orchestration.flow import news_pipeline, run_pipeline, serve_pipeline

__all__ = ["news_pipeline", "run_pipeline", "serve_pipeline"]
