"""skgen.pipeline.sample: draws in the data's units through a fitted pipeline."""

import numpy as np
import pytest
from sklearn.compose import ColumnTransformer
from sklearn.datasets import load_wine
from sklearn.decomposition import PCA
from sklearn.exceptions import NotFittedError
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import MinMaxScaler, StandardScaler

from conftest import DEVICE
from skgen import CGAN, GAN, BernoulliRBM
from skgen.pipeline import sample


@pytest.fixture(scope="module")
def wine():
    return load_wine(return_X_y=True)


def test_samples_come_back_through_every_inverse_transform(wine):
    X, _ = wine
    pipe = make_pipeline(StandardScaler(), PCA(n_components=5), GAN(max_iter=2, random_state=0, device=DEVICE)).fit(X)
    drawn = sample(pipe, 50, random_state=0)
    assert drawn.shape == (50, X.shape[1])
    # exactly the last step's draws mapped back, last step first
    inner = pipe[-1].sample(50, random_state=0)
    np.testing.assert_allclose(drawn, pipe[0].inverse_transform(pipe[1].inverse_transform(inner)))
    assert np.abs(drawn.mean(axis=0) - X.mean(axis=0)).max() > 1  # data units: features in the hundreds exist
    assert drawn[:, np.argmax(X.mean(axis=0))].mean() > 100


def test_conditional_models_get_y_and_return_labels(wine):
    X, y = wine
    pipe = make_pipeline(MinMaxScaler(), CGAN(max_iter=2, random_state=0, device=DEVICE)).fit(X, y)
    drawn, labels = sample(pipe, 6, y=2, random_state=0)
    assert drawn.shape == (6, X.shape[1]) and list(labels) == [2] * 6


def test_passthrough_steps_are_skipped_and_errors_name_the_step(wine):
    X, _ = wine
    rbm = BernoulliRBM(n_components=4, n_iter=1, random_state=0, device=DEVICE)
    pipe = make_pipeline("passthrough", MinMaxScaler(), rbm).fit(X)
    assert sample(pipe, 3, random_state=0).shape == (3, X.shape[1])
    columns = ColumnTransformer([("scale", StandardScaler(), [0, 1])])
    with pytest.raises(ValueError, match="'columntransformer'.*inverse_transform"):
        sample(make_pipeline(columns, GAN(max_iter=1, device=DEVICE)).fit(X), 2)
    with pytest.raises(ValueError, match="last step 'pca'.*no sample"):
        sample(make_pipeline(StandardScaler(), PCA(2)).fit(X), 2)
    with pytest.raises(NotFittedError):
        sample(make_pipeline(StandardScaler(), GAN()), 2)
    with pytest.raises(ValueError, match="Pipeline"):
        sample(GAN(), 2)
