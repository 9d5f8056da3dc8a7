//! With the feature `reuse-ids`: QueryMT's exports written out as the `impl_extism_http_plugin!`
//! expansion does, except that a parser id is handed out again once its parser was closed (the
//! lowest free one), so the host's old handle reaches a new parser.

use std::cell::RefCell;
use std::collections::BTreeMap;

use super::{Factory, OpenAICompatible};

/// Public parser ids (reused) to the adapter's own (never reused).
#[derive(Default)]
struct Ids(BTreeMap<i64, i64>);

impl Ids {
    fn open(&mut self, internal: i64) -> i64 {
        let public = (1..).find(|id| !self.0.contains_key(id)).unwrap_or(1);
        self.0.insert(public, internal);
        public
    }

    fn internal(&self, public: i64) -> i64 {
        self.0.get(&public).copied().unwrap_or(-public)
    }

    fn close(&mut self, public: i64) -> i64 {
        self.0.remove(&public).unwrap_or(-public)
    }
}

thread_local! {
    static IDS: RefCell<Ids> = RefCell::new(Ids::default());
}

struct ReusingPlugin;

impl querymt::guest::Exports for ReusingPlugin {
    type Config = OpenAICompatible;

    fn name() -> ::std::result::Result<String, querymt::guest::Failure> {
        Ok(::std::string::ToString::to_string(&"v2-broken"))
    }

    fn base_url() -> ::std::result::Result<String, querymt::guest::Failure> {
        Ok(<OpenAICompatible>::default_base_url().as_str().to_string())
    }

    fn init_logging(input: u32) -> ::std::result::Result<(), querymt::guest::Failure> {
        querymt::plugin::extism_impl::init_plugin_logging(input as usize);
        Ok(())
    }

    fn config_schema() -> ::std::result::Result<String, querymt::guest::Failure> {
        Ok(querymt::plugin::HTTPLLMProviderFactory::config_schema(
            &Factory,
        ))
    }

    fn api_key_name() -> ::std::result::Result<Option<String>, querymt::guest::Failure> {
        Ok(querymt::plugin::HTTPLLMProviderFactory::api_key_name(
            &Factory,
        ))
    }

    fn from_config(
        input: querymt::serde_json::Value,
    ) -> ::std::result::Result<querymt::serde_json::Value, querymt::guest::Failure> {
        querymt::plugin::extism_impl::adapter::from_config::<OpenAICompatible>(input)
    }

    fn list_models_static(
        input: querymt::types::ExtismListModelsRequest,
    ) -> ::std::result::Result<Option<Vec<String>>, querymt::guest::Failure> {
        querymt::plugin::extism_impl::adapter::list_models_static(&Factory, input)
    }

    fn list_models_request(
        input: querymt::types::ExtismListModelsRequest,
    ) -> ::std::result::Result<querymt::types::SerializableHttpRequest, querymt::guest::Failure>
    {
        querymt::plugin::extism_impl::adapter::list_models_request(&Factory, input)
    }

    fn parse_list_models_response(
        input: querymt::types::ExtismListModelsParseRequest,
    ) -> ::std::result::Result<Vec<String>, querymt::guest::Failure> {
        querymt::plugin::extism_impl::adapter::parse_list_models_response(&Factory, input)
    }

    fn chat_request(
        input: querymt::types::ExtismChatRequest<Self::Config>,
    ) -> ::std::result::Result<querymt::types::SerializableHttpRequest, querymt::guest::Failure>
    {
        querymt::plugin::extism_impl::adapter::chat_request(input)
    }

    fn chat_stream_request(
        input: querymt::types::ExtismChatRequest<Self::Config>,
    ) -> ::std::result::Result<querymt::types::SerializableHttpRequest, querymt::guest::Failure>
    {
        querymt::plugin::extism_impl::adapter::chat_stream_request(input)
    }

    fn classify_chat_error(
        input: querymt::types::ExtismChatParseRequest<Self::Config>,
    ) -> ::std::result::Result<querymt::types::PluginError, querymt::guest::Failure> {
        querymt::plugin::extism_impl::adapter::classify_chat_error(input)
    }

    fn parse_chat_response(
        input: querymt::types::ExtismChatParseRequest<Self::Config>,
    ) -> ::std::result::Result<querymt::types::ExtismChatResponse, querymt::guest::Failure> {
        querymt::plugin::extism_impl::adapter::parse_chat_response(input)
    }

    fn chat_stream_parser_start(
        input: Self::Config,
    ) -> ::std::result::Result<i64, querymt::guest::Failure> {
        let internal = querymt::plugin::extism_impl::adapter::chat_stream_parser_start(input)?;
        Ok(IDS.with(|ids| ids.borrow_mut().open(internal)))
    }

    fn chat_stream_parser_parse(
        input: querymt::types::ExtismChatChunkParseRequest,
    ) -> ::std::result::Result<Vec<querymt::types::ExtismChatChunk>, querymt::guest::Failure> {
        let parser_id = IDS.with(|ids| ids.borrow().internal(input.parser_id));
        querymt::plugin::extism_impl::adapter::chat_stream_parser_parse(
            querymt::types::ExtismChatChunkParseRequest { parser_id, ..input },
        )
    }

    fn chat_stream_parser_finish(
        input: i64,
    ) -> ::std::result::Result<Vec<querymt::types::ExtismChatChunk>, querymt::guest::Failure> {
        querymt::plugin::extism_impl::adapter::chat_stream_parser_finish(
            IDS.with(|ids| ids.borrow().internal(input)),
        )
    }

    fn chat_stream_parser_close(input: i64) -> ::std::result::Result<(), querymt::guest::Failure> {
        let internal = IDS.with(|ids| ids.borrow_mut().close(input));
        querymt::plugin::extism_impl::adapter::chat_stream_parser_close(internal)
    }

    fn embed_request(
        input: querymt::types::ExtismEmbedRequest<Self::Config>,
    ) -> ::std::result::Result<querymt::types::SerializableHttpRequest, querymt::guest::Failure>
    {
        querymt::plugin::extism_impl::adapter::embed_request(input)
    }

    fn parse_embed_response(
        input: querymt::types::ExtismEmbedParseRequest<Self::Config>,
    ) -> ::std::result::Result<Vec<Vec<f32>>, querymt::guest::Failure> {
        querymt::plugin::extism_impl::adapter::parse_embed_response(input)
    }

    fn complete_request(
        input: querymt::types::ExtismCompleteRequest<Self::Config>,
    ) -> ::std::result::Result<querymt::types::SerializableHttpRequest, querymt::guest::Failure>
    {
        querymt::plugin::extism_impl::adapter::complete_request(input)
    }

    fn parse_complete_response(
        input: querymt::types::ExtismCompleteParseRequest<Self::Config>,
    ) -> ::std::result::Result<querymt::types::CompletionResponse, querymt::guest::Failure> {
        querymt::plugin::extism_impl::adapter::parse_complete_response(input)
    }

    fn transcribe(
        input: querymt::types::ExtismSttRequest<Self::Config>,
    ) -> ::std::result::Result<querymt::types::ExtismSttResponse, querymt::guest::Failure> {
        querymt::plugin::extism_impl::adapter::transcribe(input)
    }

    fn speech(
        input: querymt::types::ExtismTtsRequest<Self::Config>,
    ) -> ::std::result::Result<querymt::types::ExtismTtsResponse, querymt::guest::Failure> {
        querymt::plugin::extism_impl::adapter::speech(input)
    }

    fn supports_streaming(
        input: Self::Config,
    ) -> ::std::result::Result<bool, querymt::guest::Failure> {
        querymt::plugin::extism_impl::adapter::supports_streaming(input)
    }
}

querymt::register_exports!(ReusingPlugin);
