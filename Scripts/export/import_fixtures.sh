#!/bin/sh
# Writes Fixtures/keras/NAME/spec.json, the spec `gradcheck import keras` makes of each
# Keras fixture, with the loss each was exported with (mlp's comes from its compile_config).
# The tests (KerasImportTests) import again and compare with these files, so rerun this
# only after checking that a change of the importer's output is intended.
set -e
cd "$(dirname "$0")/../.."
swift build --product gradcheck >/dev/null
gc=.build/debug/gradcheck
logits='{"type": "sparse_categorical_crossentropy", "from_logits": true}'
$gc import keras Fixtures/keras/mlp.json --output Fixtures/keras/mlp/spec.json
$gc import keras Fixtures/keras/cnn.json --loss sparse_categorical_crossentropy --output Fixtures/keras/cnn/spec.json
$gc import keras Fixtures/keras/recurrent-stack.json --loss mse --output Fixtures/keras/recurrent-stack/spec.json
$gc import keras Fixtures/keras/tcn.json --loss mse --output Fixtures/keras/tcn/spec.json
for name in sequence-conv transformer-encoder cross-attention bigru-tagger; do
    $gc import keras Fixtures/keras/$name.json --loss "$logits" --output Fixtures/keras/$name/spec.json
done
