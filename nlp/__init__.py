"""The free-text engine: themes, sentiment, personal-data redaction and topic discovery for survey comments.

The app and the CLI use only what is exported here.
"""

from nlp.analyse import MODEL_VERSION, CommentAnalysis, ThemeTag, analyse_comments, predict_file
from nlp.codebook import Codebook, CodebookError, list_codebooks, load_codebook
from nlp.pipeline import build_pipeline
from nlp.redaction import NerModelMissing, Redaction
from nlp.topics import Topic, discover_topics
from nlp.train import TrainReport, train_codebook_model

__all__ = [
    "MODEL_VERSION",
    "Codebook",
    "CodebookError",
    "CommentAnalysis",
    "NerModelMissing",
    "Redaction",
    "ThemeTag",
    "Topic",
    "TrainReport",
    "analyse_comments",
    "build_pipeline",
    "discover_topics",
    "list_codebooks",
    "load_codebook",
    "predict_file",
    "train_codebook_model",
]
