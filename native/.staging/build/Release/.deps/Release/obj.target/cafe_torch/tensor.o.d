cmd_Release/obj.target/cafe_torch/tensor.o := g++ -o Release/obj.target/cafe_torch/tensor.o ../tensor.cc '-DNODE_GYP_MODULE_NAME=cafe_torch' '-DUSING_UV_SHARED=1' '-DUSING_V8_SHARED=1' '-DV8_DEPRECATION_WARNINGS=1' '-D_GLIBCXX_USE_CXX11_ABI=1' '-D_FILE_OFFSET_BITS=64' '-D_LARGEFILE_SOURCE' '-D__STDC_FORMAT_MACROS' '-DOPENSSL_NO_PINSHARED' '-DOPENSSL_THREADS' '-DNAPI_VERSION=8' '-DNAPI_CPP_EXCEPTIONS' '-DBUILDING_NODE_EXTENSION' -I/usr/include/node -I/usr/src -I/usr/deps/openssl/config -I/usr/deps/openssl/openssl/include -I/usr/deps/uv/include -I/usr/deps/zlib -I/usr/deps/v8/include -I../../../node_modules/node-addon-api -I/usr/include/torch/csrc/api/include  -fPIC -pthread -Wall -Wextra -Wno-unused-parameter -m64 -O3 -fno-omit-frame-pointer -std=c++17 -fexceptions -frtti -O2 -Wno-unused-parameter -Wno-deprecated-declarations -MMD -MF ./Release/.deps/Release/obj.target/cafe_torch/tensor.o.d.raw   -c
Release/obj.target/cafe_torch/tensor.o: ../tensor.cc ../common.h \
 ../../../node_modules/node-addon-api/napi.h /usr/include/node/node_api.h \
 /usr/include/node/js_native_api.h \
 /usr/include/node/js_native_api_types.h \
 /usr/include/node/node_api_types.h \
 ../../../node_modules/node-addon-api/napi-inl.h \
 ../../../node_modules/node-addon-api/napi.h \
 ../../../node_modules/node-addon-api/napi-inl.deprecated.h \
 /usr/include/torch/csrc/api/include/torch/torch.h \
 /usr/include/torch/csrc/api/include/torch/all.h \
 /usr/include/torch/csrc/api/include/torch/autograd.h \
 /usr/include/torch/csrc/api/include/torch/cuda.h \
 /usr/include/torch/csrc/api/include/torch/data.h \
 /usr/include/torch/csrc/api/include/torch/data/dataloader.h \
 /usr/include/torch/csrc/api/include/torch/data/dataloader/stateful.h \
 /usr/include/torch/csrc/api/include/torch/data/dataloader/base.h \
 /usr/include/torch/csrc/api/include/torch/data/dataloader_options.h \
 /usr/include/torch/csrc/api/include/torch/arg.h \
 /usr/include/torch/csrc/api/include/torch/types.h \
 /usr/include/torch/csrc/api/include/torch/data/detail/data_shuttle.h \
 /usr/include/torch/csrc/api/include/torch/data/detail/queue.h \
 /usr/include/torch/csrc/api/include/torch/data/detail/sequencers.h \
 /usr/include/torch/csrc/api/include/torch/data/iterator.h \
 /usr/include/torch/csrc/api/include/torch/data/samplers/random.h \
 /usr/include/torch/csrc/api/include/torch/data/samplers/base.h \
 /usr/include/torch/csrc/api/include/torch/data/worker_exception.h \
 /usr/include/torch/csrc/api/include/torch/data/dataloader/stateless.h \
 /usr/include/torch/csrc/api/include/torch/data/datasets.h \
 /usr/include/torch/csrc/api/include/torch/data/datasets/base.h \
 /usr/include/torch/csrc/api/include/torch/data/example.h \
 /usr/include/torch/csrc/api/include/torch/data/datasets/chunk.h \
 /usr/include/torch/csrc/api/include/torch/data/datasets/stateful.h \
 /usr/include/torch/csrc/api/include/torch/data/samplers.h \
 /usr/include/torch/csrc/api/include/torch/data/samplers/custom_batch_request.h \
 /usr/include/torch/csrc/api/include/torch/data/samplers/distributed.h \
 /usr/include/torch/csrc/api/include/torch/data/samplers/sequential.h \
 /usr/include/torch/csrc/api/include/torch/data/samplers/serialize.h \
 /usr/include/torch/csrc/api/include/torch/serialize/archive.h \
 /usr/include/torch/csrc/api/include/torch/serialize/input-archive.h \
 /usr/include/torch/csrc/api/include/torch/serialize/output-archive.h \
 /usr/include/torch/csrc/api/include/torch/data/samplers/stream.h \
 /usr/include/torch/csrc/api/include/torch/serialize.h \
 /usr/include/torch/csrc/api/include/torch/serialize/tensor.h \
 /usr/include/torch/csrc/api/include/torch/data/datasets/map.h \
 /usr/include/torch/csrc/api/include/torch/data/datasets/mnist.h \
 /usr/include/torch/csrc/api/include/torch/data/datasets/shared.h \
 /usr/include/torch/csrc/api/include/torch/data/datasets/tensor.h \
 /usr/include/torch/csrc/api/include/torch/data/transforms.h \
 /usr/include/torch/csrc/api/include/torch/data/transforms/base.h \
 /usr/include/torch/csrc/api/include/torch/data/transforms/collate.h \
 /usr/include/torch/csrc/api/include/torch/data/transforms/lambda.h \
 /usr/include/torch/csrc/api/include/torch/data/transforms/stack.h \
 /usr/include/torch/csrc/api/include/torch/data/transforms/tensor.h \
 /usr/include/torch/csrc/api/include/torch/enum.h \
 /usr/include/torch/csrc/api/include/torch/fft.h \
 /usr/include/torch/csrc/api/include/torch/jit.h \
 /usr/include/torch/csrc/api/include/torch/linalg.h \
 /usr/include/torch/csrc/api/include/torch/nested.h \
 /usr/include/torch/csrc/api/include/torch/nn.h \
 /usr/include/torch/csrc/api/include/torch/nn/cloneable.h \
 /usr/include/torch/csrc/api/include/torch/nn/module.h \
 /usr/include/torch/csrc/api/include/torch/nn/modules/container/any_module_holder.h \
 /usr/include/torch/csrc/api/include/torch/nn/modules/container/any_value.h \
 /usr/include/torch/csrc/api/include/torch/detail/static.h \
 /usr/include/torch/csrc/api/include/torch/nn/pimpl.h \
 /usr/include/torch/csrc/api/include/torch/utils.h \
 /usr/include/torch/csrc/api/include/torch/nn/functional.h \
 /usr/include/torch/csrc/api/include/torch/nn/functional/batchnorm.h \
 /usr/include/torch/csrc/api/include/torch/nn/options/batchnorm.h \
 /usr/include/torch/csrc/api/include/torch/nn/functional/conv.h \
 /usr/include/torch/csrc/api/include/torch/nn/options/conv.h \
 /usr/include/torch/csrc/api/include/torch/expanding_array.h \
 /usr/include/torch/csrc/api/include/torch/nn/functional/distance.h \
 /usr/include/torch/csrc/api/include/torch/nn/options/distance.h \
 /usr/include/torch/csrc/api/include/torch/nn/functional/dropout.h \
 /usr/include/torch/csrc/api/include/torch/nn/options/dropout.h \
 /usr/include/torch/csrc/api/include/torch/nn/functional/embedding.h \
 /usr/include/torch/csrc/api/include/torch/nn/options/embedding.h \
 /usr/include/torch/csrc/api/include/torch/nn/functional/fold.h \
 /usr/include/torch/csrc/api/include/torch/nn/options/fold.h \
 /usr/include/torch/csrc/api/include/torch/nn/functional/instancenorm.h \
 /usr/include/torch/csrc/api/include/torch/nn/options/instancenorm.h \
 /usr/include/torch/csrc/api/include/torch/nn/functional/linear.h \
 /usr/include/torch/csrc/api/include/torch/nn/functional/loss.h \
 /usr/include/torch/csrc/api/include/torch/nn/functional/activation.h \
 /usr/include/torch/csrc/api/include/torch/nn/options/activation.h \
 /usr/include/torch/csrc/api/include/torch/nn/options/linear.h \
 /usr/include/torch/csrc/api/include/torch/nn/options/loss.h \
 /usr/include/torch/csrc/api/include/torch/nn/functional/normalization.h \
 /usr/include/torch/csrc/api/include/torch/nn/functional/padding.h \
 /usr/include/torch/csrc/api/include/torch/nn/options/padding.h \
 /usr/include/torch/csrc/api/include/torch/nn/functional/pooling.h \
 /usr/include/torch/csrc/api/include/torch/nn/modules/utils.h \
 /usr/include/torch/csrc/api/include/torch/nn/options/pooling.h \
 /usr/include/torch/csrc/api/include/torch/nn/options/normalization.h \
 /usr/include/torch/csrc/api/include/torch/nn/functional/pixelshuffle.h \
 /usr/include/torch/csrc/api/include/torch/nn/options/pixelshuffle.h \
 /usr/include/torch/csrc/api/include/torch/nn/functional/upsampling.h \
 /usr/include/torch/csrc/api/include/torch/nn/options/upsampling.h \
 /usr/include/torch/csrc/api/include/torch/nn/functional/vision.h \
 /usr/include/torch/csrc/api/include/torch/nn/options/vision.h \
 /usr/include/torch/csrc/api/include/torch/nn/init.h \
 /usr/include/torch/csrc/api/include/torch/nn/modules.h \
 /usr/include/torch/csrc/api/include/torch/nn/modules/common.h \
 /usr/include/torch/csrc/api/include/torch/nn/modules/container/any.h \
 /usr/include/torch/csrc/api/include/torch/nn/modules/container/functional.h \
 /usr/include/torch/csrc/api/include/torch/nn/modules/container/moduledict.h \
 /usr/include/torch/csrc/api/include/torch/nn/modules/container/modulelist.h \
 /usr/include/torch/csrc/api/include/torch/nn/modules/container/named_any.h \
 /usr/include/torch/csrc/api/include/torch/nn/modules/container/parameterdict.h \
 /usr/include/torch/csrc/api/include/torch/nn/modules/container/parameterlist.h \
 /usr/include/torch/csrc/api/include/torch/nn/modules/container/sequential.h \
 /usr/include/torch/csrc/api/include/torch/nn/modules/activation.h \
 /usr/include/torch/csrc/api/include/torch/nn/modules/linear.h \
 /usr/include/torch/csrc/api/include/torch/nn/modules/adaptive.h \
 /usr/include/torch/csrc/api/include/torch/nn/options/adaptive.h \
 /usr/include/torch/csrc/api/include/torch/nn/modules/batchnorm.h \
 /usr/include/torch/csrc/api/include/torch/nn/modules/conv.h \
 /usr/include/torch/csrc/api/include/torch/nn/modules/distance.h \
 /usr/include/torch/csrc/api/include/torch/nn/modules/dropout.h \
 /usr/include/torch/csrc/api/include/torch/nn/modules/embedding.h \
 /usr/include/torch/csrc/api/include/torch/nn/modules/fold.h \
 /usr/include/torch/csrc/api/include/torch/nn/modules/instancenorm.h \
 /usr/include/torch/csrc/api/include/torch/nn/modules/loss.h \
 /usr/include/torch/csrc/api/include/torch/nn/modules/normalization.h \
 /usr/include/torch/csrc/api/include/torch/nn/modules/_functions.h \
 /usr/include/torch/csrc/api/include/torch/nn/modules/padding.h \
 /usr/include/torch/csrc/api/include/torch/nn/modules/pixelshuffle.h \
 /usr/include/torch/csrc/api/include/torch/nn/modules/pooling.h \
 /usr/include/torch/csrc/api/include/torch/nn/modules/rnn.h \
 /usr/include/torch/csrc/api/include/torch/nn/options/rnn.h \
 /usr/include/torch/csrc/api/include/torch/nn/utils/rnn.h \
 /usr/include/torch/csrc/api/include/torch/nn/modules/transformer.h \
 /usr/include/torch/csrc/api/include/torch/nn/options/transformer.h \
 /usr/include/torch/csrc/api/include/torch/nn/options/transformerlayer.h \
 /usr/include/torch/csrc/api/include/torch/nn/modules/transformercoder.h \
 /usr/include/torch/csrc/api/include/torch/nn/options/transformercoder.h \
 /usr/include/torch/csrc/api/include/torch/nn/modules/transformerlayer.h \
 /usr/include/torch/csrc/api/include/torch/nn/modules/upsampling.h \
 /usr/include/torch/csrc/api/include/torch/nn/options.h \
 /usr/include/torch/csrc/api/include/torch/nn/utils.h \
 /usr/include/torch/csrc/api/include/torch/nn/utils/clip_grad.h \
 /usr/include/torch/csrc/api/include/torch/nn/utils/convert_parameters.h \
 /usr/include/torch/csrc/api/include/torch/optim.h \
 /usr/include/torch/csrc/api/include/torch/optim/adagrad.h \
 /usr/include/torch/csrc/api/include/torch/optim/optimizer.h \
 /usr/include/torch/csrc/api/include/torch/optim/serialize.h \
 /usr/include/torch/csrc/api/include/torch/optim/adam.h \
 /usr/include/torch/csrc/api/include/torch/optim/adamw.h \
 /usr/include/torch/csrc/api/include/torch/optim/lbfgs.h \
 /usr/include/torch/csrc/api/include/torch/optim/rmsprop.h \
 /usr/include/torch/csrc/api/include/torch/optim/sgd.h \
 /usr/include/torch/csrc/api/include/torch/optim/schedulers/lr_scheduler.h \
 /usr/include/torch/csrc/api/include/torch/optim/schedulers/step_lr.h \
 /usr/include/torch/csrc/api/include/torch/sparse.h \
 /usr/include/torch/csrc/api/include/torch/special.h \
 /usr/include/torch/csrc/api/include/torch/version.h
../tensor.cc:
../common.h:
../../../node_modules/node-addon-api/napi.h:
/usr/include/node/node_api.h:
/usr/include/node/js_native_api.h:
/usr/include/node/js_native_api_types.h:
/usr/include/node/node_api_types.h:
../../../node_modules/node-addon-api/napi-inl.h:
../../../node_modules/node-addon-api/napi.h:
../../../node_modules/node-addon-api/napi-inl.deprecated.h:
/usr/include/torch/csrc/api/include/torch/torch.h:
/usr/include/torch/csrc/api/include/torch/all.h:
/usr/include/torch/csrc/api/include/torch/autograd.h:
/usr/include/torch/csrc/api/include/torch/cuda.h:
/usr/include/torch/csrc/api/include/torch/data.h:
/usr/include/torch/csrc/api/include/torch/data/dataloader.h:
/usr/include/torch/csrc/api/include/torch/data/dataloader/stateful.h:
/usr/include/torch/csrc/api/include/torch/data/dataloader/base.h:
/usr/include/torch/csrc/api/include/torch/data/dataloader_options.h:
/usr/include/torch/csrc/api/include/torch/arg.h:
/usr/include/torch/csrc/api/include/torch/types.h:
/usr/include/torch/csrc/api/include/torch/data/detail/data_shuttle.h:
/usr/include/torch/csrc/api/include/torch/data/detail/queue.h:
/usr/include/torch/csrc/api/include/torch/data/detail/sequencers.h:
/usr/include/torch/csrc/api/include/torch/data/iterator.h:
/usr/include/torch/csrc/api/include/torch/data/samplers/random.h:
/usr/include/torch/csrc/api/include/torch/data/samplers/base.h:
/usr/include/torch/csrc/api/include/torch/data/worker_exception.h:
/usr/include/torch/csrc/api/include/torch/data/dataloader/stateless.h:
/usr/include/torch/csrc/api/include/torch/data/datasets.h:
/usr/include/torch/csrc/api/include/torch/data/datasets/base.h:
/usr/include/torch/csrc/api/include/torch/data/example.h:
/usr/include/torch/csrc/api/include/torch/data/datasets/chunk.h:
/usr/include/torch/csrc/api/include/torch/data/datasets/stateful.h:
/usr/include/torch/csrc/api/include/torch/data/samplers.h:
/usr/include/torch/csrc/api/include/torch/data/samplers/custom_batch_request.h:
/usr/include/torch/csrc/api/include/torch/data/samplers/distributed.h:
/usr/include/torch/csrc/api/include/torch/data/samplers/sequential.h:
/usr/include/torch/csrc/api/include/torch/data/samplers/serialize.h:
/usr/include/torch/csrc/api/include/torch/serialize/archive.h:
/usr/include/torch/csrc/api/include/torch/serialize/input-archive.h:
/usr/include/torch/csrc/api/include/torch/serialize/output-archive.h:
/usr/include/torch/csrc/api/include/torch/data/samplers/stream.h:
/usr/include/torch/csrc/api/include/torch/serialize.h:
/usr/include/torch/csrc/api/include/torch/serialize/tensor.h:
/usr/include/torch/csrc/api/include/torch/data/datasets/map.h:
/usr/include/torch/csrc/api/include/torch/data/datasets/mnist.h:
/usr/include/torch/csrc/api/include/torch/data/datasets/shared.h:
/usr/include/torch/csrc/api/include/torch/data/datasets/tensor.h:
/usr/include/torch/csrc/api/include/torch/data/transforms.h:
/usr/include/torch/csrc/api/include/torch/data/transforms/base.h:
/usr/include/torch/csrc/api/include/torch/data/transforms/collate.h:
/usr/include/torch/csrc/api/include/torch/data/transforms/lambda.h:
/usr/include/torch/csrc/api/include/torch/data/transforms/stack.h:
/usr/include/torch/csrc/api/include/torch/data/transforms/tensor.h:
/usr/include/torch/csrc/api/include/torch/enum.h:
/usr/include/torch/csrc/api/include/torch/fft.h:
/usr/include/torch/csrc/api/include/torch/jit.h:
/usr/include/torch/csrc/api/include/torch/linalg.h:
/usr/include/torch/csrc/api/include/torch/nested.h:
/usr/include/torch/csrc/api/include/torch/nn.h:
/usr/include/torch/csrc/api/include/torch/nn/cloneable.h:
/usr/include/torch/csrc/api/include/torch/nn/module.h:
/usr/include/torch/csrc/api/include/torch/nn/modules/container/any_module_holder.h:
/usr/include/torch/csrc/api/include/torch/nn/modules/container/any_value.h:
/usr/include/torch/csrc/api/include/torch/detail/static.h:
/usr/include/torch/csrc/api/include/torch/nn/pimpl.h:
/usr/include/torch/csrc/api/include/torch/utils.h:
/usr/include/torch/csrc/api/include/torch/nn/functional.h:
/usr/include/torch/csrc/api/include/torch/nn/functional/batchnorm.h:
/usr/include/torch/csrc/api/include/torch/nn/options/batchnorm.h:
/usr/include/torch/csrc/api/include/torch/nn/functional/conv.h:
/usr/include/torch/csrc/api/include/torch/nn/options/conv.h:
/usr/include/torch/csrc/api/include/torch/expanding_array.h:
/usr/include/torch/csrc/api/include/torch/nn/functional/distance.h:
/usr/include/torch/csrc/api/include/torch/nn/options/distance.h:
/usr/include/torch/csrc/api/include/torch/nn/functional/dropout.h:
/usr/include/torch/csrc/api/include/torch/nn/options/dropout.h:
/usr/include/torch/csrc/api/include/torch/nn/functional/embedding.h:
/usr/include/torch/csrc/api/include/torch/nn/options/embedding.h:
/usr/include/torch/csrc/api/include/torch/nn/functional/fold.h:
/usr/include/torch/csrc/api/include/torch/nn/options/fold.h:
/usr/include/torch/csrc/api/include/torch/nn/functional/instancenorm.h:
/usr/include/torch/csrc/api/include/torch/nn/options/instancenorm.h:
/usr/include/torch/csrc/api/include/torch/nn/functional/linear.h:
/usr/include/torch/csrc/api/include/torch/nn/functional/loss.h:
/usr/include/torch/csrc/api/include/torch/nn/functional/activation.h:
/usr/include/torch/csrc/api/include/torch/nn/options/activation.h:
/usr/include/torch/csrc/api/include/torch/nn/options/linear.h:
/usr/include/torch/csrc/api/include/torch/nn/options/loss.h:
/usr/include/torch/csrc/api/include/torch/nn/functional/normalization.h:
/usr/include/torch/csrc/api/include/torch/nn/functional/padding.h:
/usr/include/torch/csrc/api/include/torch/nn/options/padding.h:
/usr/include/torch/csrc/api/include/torch/nn/functional/pooling.h:
/usr/include/torch/csrc/api/include/torch/nn/modules/utils.h:
/usr/include/torch/csrc/api/include/torch/nn/options/pooling.h:
/usr/include/torch/csrc/api/include/torch/nn/options/normalization.h:
/usr/include/torch/csrc/api/include/torch/nn/functional/pixelshuffle.h:
/usr/include/torch/csrc/api/include/torch/nn/options/pixelshuffle.h:
/usr/include/torch/csrc/api/include/torch/nn/functional/upsampling.h:
/usr/include/torch/csrc/api/include/torch/nn/options/upsampling.h:
/usr/include/torch/csrc/api/include/torch/nn/functional/vision.h:
/usr/include/torch/csrc/api/include/torch/nn/options/vision.h:
/usr/include/torch/csrc/api/include/torch/nn/init.h:
/usr/include/torch/csrc/api/include/torch/nn/modules.h:
/usr/include/torch/csrc/api/include/torch/nn/modules/common.h:
/usr/include/torch/csrc/api/include/torch/nn/modules/container/any.h:
/usr/include/torch/csrc/api/include/torch/nn/modules/container/functional.h:
/usr/include/torch/csrc/api/include/torch/nn/modules/container/moduledict.h:
/usr/include/torch/csrc/api/include/torch/nn/modules/container/modulelist.h:
/usr/include/torch/csrc/api/include/torch/nn/modules/container/named_any.h:
/usr/include/torch/csrc/api/include/torch/nn/modules/container/parameterdict.h:
/usr/include/torch/csrc/api/include/torch/nn/modules/container/parameterlist.h:
/usr/include/torch/csrc/api/include/torch/nn/modules/container/sequential.h:
/usr/include/torch/csrc/api/include/torch/nn/modules/activation.h:
/usr/include/torch/csrc/api/include/torch/nn/modules/linear.h:
/usr/include/torch/csrc/api/include/torch/nn/modules/adaptive.h:
/usr/include/torch/csrc/api/include/torch/nn/options/adaptive.h:
/usr/include/torch/csrc/api/include/torch/nn/modules/batchnorm.h:
/usr/include/torch/csrc/api/include/torch/nn/modules/conv.h:
/usr/include/torch/csrc/api/include/torch/nn/modules/distance.h:
/usr/include/torch/csrc/api/include/torch/nn/modules/dropout.h:
/usr/include/torch/csrc/api/include/torch/nn/modules/embedding.h:
/usr/include/torch/csrc/api/include/torch/nn/modules/fold.h:
/usr/include/torch/csrc/api/include/torch/nn/modules/instancenorm.h:
/usr/include/torch/csrc/api/include/torch/nn/modules/loss.h:
/usr/include/torch/csrc/api/include/torch/nn/modules/normalization.h:
/usr/include/torch/csrc/api/include/torch/nn/modules/_functions.h:
/usr/include/torch/csrc/api/include/torch/nn/modules/padding.h:
/usr/include/torch/csrc/api/include/torch/nn/modules/pixelshuffle.h:
/usr/include/torch/csrc/api/include/torch/nn/modules/pooling.h:
/usr/include/torch/csrc/api/include/torch/nn/modules/rnn.h:
/usr/include/torch/csrc/api/include/torch/nn/options/rnn.h:
/usr/include/torch/csrc/api/include/torch/nn/utils/rnn.h:
/usr/include/torch/csrc/api/include/torch/nn/modules/transformer.h:
/usr/include/torch/csrc/api/include/torch/nn/options/transformer.h:
/usr/include/torch/csrc/api/include/torch/nn/options/transformerlayer.h:
/usr/include/torch/csrc/api/include/torch/nn/modules/transformercoder.h:
/usr/include/torch/csrc/api/include/torch/nn/options/transformercoder.h:
/usr/include/torch/csrc/api/include/torch/nn/modules/transformerlayer.h:
/usr/include/torch/csrc/api/include/torch/nn/modules/upsampling.h:
/usr/include/torch/csrc/api/include/torch/nn/options.h:
/usr/include/torch/csrc/api/include/torch/nn/utils.h:
/usr/include/torch/csrc/api/include/torch/nn/utils/clip_grad.h:
/usr/include/torch/csrc/api/include/torch/nn/utils/convert_parameters.h:
/usr/include/torch/csrc/api/include/torch/optim.h:
/usr/include/torch/csrc/api/include/torch/optim/adagrad.h:
/usr/include/torch/csrc/api/include/torch/optim/optimizer.h:
/usr/include/torch/csrc/api/include/torch/optim/serialize.h:
/usr/include/torch/csrc/api/include/torch/optim/adam.h:
/usr/include/torch/csrc/api/include/torch/optim/adamw.h:
/usr/include/torch/csrc/api/include/torch/optim/lbfgs.h:
/usr/include/torch/csrc/api/include/torch/optim/rmsprop.h:
/usr/include/torch/csrc/api/include/torch/optim/sgd.h:
/usr/include/torch/csrc/api/include/torch/optim/schedulers/lr_scheduler.h:
/usr/include/torch/csrc/api/include/torch/optim/schedulers/step_lr.h:
/usr/include/torch/csrc/api/include/torch/sparse.h:
/usr/include/torch/csrc/api/include/torch/special.h:
/usr/include/torch/csrc/api/include/torch/version.h:
